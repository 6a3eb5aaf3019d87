"""Build hooks for the docs site (mkdocs ``hooks:``); not part of the packages."""
