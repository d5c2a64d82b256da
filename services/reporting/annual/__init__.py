"""The supervisor's own 《政府网站监管年度报表》 for a province or city, drafted from the year's data."""
