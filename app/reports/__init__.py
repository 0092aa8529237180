"""PDF reports and CSV/XLSX exports: pure builders, data (dataclasses) in, file out. No SQL, no Qt."""
