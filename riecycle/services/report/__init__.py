"""The report "RI&E en Plan van Aanpak PSA": one model, two renderers (riecycle/reports/).

- model.py: builds the report from the records (as of a day, pseudonymised) as plain dataclasses;
- copies.py: handed-over copies (the file, its SHA-256, for whom) and the queue the scheduler runs.
"""

from riecycle.services.report.model import Report, build_report, full_max_measures

__all__ = ["Report", "build_report", "full_max_measures"]
