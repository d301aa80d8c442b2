"""Test data: the numbers of RNCP 36390 (RULES.md §1) written out, independent of the database."""

from decimal import Decimal as D

from rules import engine

TITLE = engine.TitleRules(
    blocs=(
        engine.BlocRules("1", D(100), D(150), D(8), D(10)),
        engine.BlocRules("2", D(70), D(105), D(8), D(10)),
        engine.BlocRules("3", D(70), D(105), D(8), D(10)),
        engine.BlocRules("4", D(60), D(90), D(8), D(10)),
    ),
    practice=engine.PracticeRules(D(125), D(75), D(50), D(10)),
    total_points=D(1000),
    pass_points=D(500),
)
