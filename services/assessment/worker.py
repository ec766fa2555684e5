"""Celery entry point for the assessment worker (`celery -A services.assessment.worker worker`)."""

from services.assessment.app import bootstrap

celery = bootstrap().celery
