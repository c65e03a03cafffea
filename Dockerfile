FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=argo_docs.settings.base
WORKDIR /app
# Tesseract with its Russian model recognises scans for search (storage.text_jobs)
RUN apt-get update && apt-get install -y --no-install-recommends \
    tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY argo_docs argo_docs
COPY workflow workflow
COPY crm crm
COPY correspondence correspondence
COPY contracts contracts
COPY storage storage
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs settings but no database connection or real secret
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput
RUN useradd --create-home argo && mkdir -p /app/var/media && chown -R argo /app/var
USER argo
EXPOSE 8000
CMD ["gunicorn", "argo_docs.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
