"""Search (a cross-app feature): ``selectors`` finds, ``views`` shows /search/."""
