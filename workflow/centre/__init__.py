"""The centre's overview: dashboard figures and the charts drawn from them as accessible SVG."""
