"""Webhook admin pages: superusers manage subscriptions and read the delivery log; nobody
else sees them."""

import pytest
from django.utils import timezone

from registry.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

SUBSCRIPTIONS = "/admin/webhooks/webhooksubscription/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


@pytest.fixture
def delivery(departments):
    subscription = WebhookSubscription.objects.create(
        name="门户网站", url="https://example.cn/hook"
    )
    subscription.departments.set([departments["fgw"]])
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        seq=1,
        event="published",
        resource="test-notices",
        object_id=1,
        body='{"seq": 1}',
    )
    WebhookAttempt.objects.create(
        delivery=delivery, attempted_at=timezone.now(), status_code=500, duration_ms=12
    )
    return delivery


def pages(delivery):
    return [
        SUBSCRIPTIONS,
        f"{SUBSCRIPTIONS}add/",
        f"{SUBSCRIPTIONS}{delivery.subscription_id}/change/",
        DELIVERIES,
        f"{DELIVERIES}{delivery.pk}/change/",
    ]


def test_superuser_sees_every_page_and_the_secret(client, users, delivery):
    client.force_login(users["superuser"])
    for url in pages(delivery):
        assert client.get(url).status_code == 200, url
    change = client.get(f"{SUBSCRIPTIONS}{delivery.subscription_id}/change/")
    assert delivery.subscription.secret in change.content.decode()
    assert "webhooks/webhooksubscription" in client.get("/admin/").content.decode()


def test_department_editor_is_refused(client, users, delivery):
    editor = users["editor"]
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    for url in pages(delivery):
        assert client.get(url).status_code == 403, url
    assert "webhooks/" not in client.get("/admin/").content.decode()


def test_superuser_creates_a_subscription(client, users, departments):
    client.force_login(users["superuser"])
    response = client.post(
        f"{SUBSCRIPTIONS}add/",
        {
            "name": "政务数据平台",
            "url": "https://data.example.cn/hooks/registry",
            "is_active": "on",
            "event_types": ["published", "withdrawn"],
            "resources": ["test-notices"],
            "departments": [departments["scjgj"].pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.event_types == ["published", "withdrawn"]
    assert subscription.resources == ["test-notices"]
    assert list(subscription.departments.all()) == [departments["scjgj"]]
    assert len(subscription.secret) == 64
    assert subscription.secret in response.content.decode()  # shown once created


def test_unknown_resource_is_refused(client, users):
    client.force_login(users["superuser"])
    response = client.post(
        f"{SUBSCRIPTIONS}add/",
        {"name": "x", "url": "https://example.cn/", "resources": ["no-such-resource"]},
    )
    assert response.status_code == 200  # the form again, with an error
    assert not WebhookSubscription.objects.exists()
