from django.db import models


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Subscribed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    CLAIMED = "claimed", "Picked up by the worker"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up retrying)"
    UNCONFIRMED = "unconfirmed", "Unconfirmed (the worker stopped while sending)"
    CANCELLED = "cancelled", "Not sent (unsubscribed before sending)"
