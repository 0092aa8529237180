"""Local SQLite store: typed SQLAlchemy 2 models, engine factory, repositories, migrations."""
