"""Celery entry point for the mentoring worker (`celery -A services.mentoring.worker worker`)."""

from services.mentoring.app import bootstrap

celery = bootstrap().celery
