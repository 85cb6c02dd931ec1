"""Documents kept in an S3 bucket (moto's server) when the portal stores its files there:
the upload lands in the bucket, the viewer's file comes from it through the link's view,
and deleting the document removes the object (TOOL-4, issue 19's storage)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.core.testing.factories import make_user
from comptoir.core.testing.s3 import KEYS, s3_server  # noqa: F401 (the session's S3 server)
from comptoir.documents import services
from comptoir.documents.models import ViewSession
from comptoir.documents.tests.pdfs import make_pdf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bucket(s3_server, settings):  # noqa: F811
    name = s3_server.new_bucket()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "file_overwrite": False,
                "default_acl": None,
                "querystring_auth": True,
                "endpoint_url": s3_server.endpoint,
                "access_key": KEYS["access"],
                "secret_key": KEYS["secret"],
                "region_name": KEYS["region"],
            },
        },
    }
    return name


def test_a_document_lives_in_the_bucket_and_is_served_through_its_link(s3_server, bucket):  # noqa: F811
    owner = make_user("s3-owner@example.com")
    pdf = make_pdf(2)
    document = services.upload_document(owner, SimpleUploadedFile("offre.pdf", pdf))
    assert s3_server.objects(bucket) == {document.stored_name: pdf}
    link = services.create_link(owner, document, email="lea@client.fr")
    viewer = Client()
    assert viewer.get(f"/d/{link.token}/").status_code == 200
    key = ViewSession.objects.get().key
    response = viewer.get(f"/d/{link.token}/file/?s={key}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    services.delete_document(owner, document)
    assert s3_server.objects(bucket) == {}


def test_a_refused_upload_leaves_nothing_in_the_bucket(s3_server, bucket):  # noqa: F811
    owner = make_user("s3-refused@example.com")
    with pytest.raises(services.DocumentError):
        services.upload_document(owner, SimpleUploadedFile("locked.pdf", make_pdf(1, password="x")))
    assert s3_server.objects(bucket) == {}
