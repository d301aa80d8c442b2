"""The certification rules as pure Python (no Django import; the import-graph test enforces it):
the decision engine, its French wording, continuous assessment and the date rules."""
