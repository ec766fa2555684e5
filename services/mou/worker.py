"""Celery entry point for the mou worker (`celery -A services.mou.worker worker`)."""

from services.mou.app import bootstrap

celery = bootstrap().celery
