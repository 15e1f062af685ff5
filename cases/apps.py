from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "기술지도 사례"

    def ready(self):
        from . import signals  # noqa: F401  (connects the search-text receivers)
