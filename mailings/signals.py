"""The receiver of django-anymail's tracking signal, connected in MailingsConfig.ready(): every
event an email service posts to its webhook (mailings/webhooks.py) goes to mailings/bounces.py."""

from anymail.signals import tracking

from . import bounces


def tracking_event_received(sender, event, esp_name, **kwargs):
    bounces.act_on_tracking_event(event, esp_name=esp_name)


def connect():
    tracking.connect(tracking_event_received, dispatch_uid="mailings.bounces")
