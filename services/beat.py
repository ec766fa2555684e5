"""Celery beat entry point: the one scheduler for every service's periodic tasks."""

from shared.celery_app import create_celery
from shared.config import load_settings
from shared.logging import configure_logging

_settings = load_settings()
configure_logging("beat", _settings.log_level, _settings.log_format)
# beat keeps its schedule file under the var folder, which a PostgreSQL setup never creates.
_settings.var_dir.mkdir(parents=True, exist_ok=True)
celery = create_celery("beat", _settings)
