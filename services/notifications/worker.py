"""Celery entry point for the notifications worker (`celery -A services.notifications.worker worker`)."""

from services.notifications.app import bootstrap

celery = bootstrap().celery
