"""/anymail/<service>/tracking/: the email services' bounce and complaint webhooks, mounted
outside the language prefixes by the root URLconf."""

from django.urls import path

from .webhooks import tracking_webhook

app_name = "anymail"
urlpatterns = [
    path("<slug:service>/tracking/", tracking_webhook, name="tracking_webhook"),
]
