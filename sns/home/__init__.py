"""Home (新着), a cross-app feature: ``selectors`` reads each section, ``views`` shows ``/``."""
