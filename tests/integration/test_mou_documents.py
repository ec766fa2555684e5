"""The signed agreement PDF: checked, size-limited, stored write-once with its SHA-256, versioned."""

import hashlib
from dataclasses import replace

import pytest
from sqlalchemy import select

from services.mou.app import create_app
from services.mou.orm import Document
from shared.storage import key_for
from tests.conftest import auth
from tests.support.mou import TAPANULI_TENGAH, dirjen, draft, pdf_bytes, representative, upload


@pytest.fixture
def mou(make_runtime):
    return make_runtime("mou")


@pytest.fixture
def client(mou):
    return create_app(mou).test_client()


@pytest.fixture
def signed(mou, client):
    agreement_id = draft(mou)
    response = client.post(
        f"/agreements/{agreement_id}/sign",
        json={"signed_at": "2023-02-28T03:00:00Z", "signatories": [representative(), dirjen()]},
        headers=auth("operator"),
    )
    assert response.status_code == 200
    return agreement_id


def test_the_signed_pdf_is_stored_with_its_sha256_and_downloads_intact(mou, client, signed):
    content = pdf_bytes()
    response = upload(client, signed, content, auth("operator", sub="operator-sari"))
    assert response.status_code == 201, response.json
    document = response.json
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["version"] == 1 and document["size"] == len(content)
    assert document["uploaded_by"] == "operator-sari"
    # Stored once under its digest, outside any name the uploader chose.
    stored = mou.settings.var_dir / "mou" / "documents" / key_for(document["sha256"])
    assert stored.read_bytes() == content

    download = client.get(document["download"], headers=auth("region", region=TAPANULI_TENGAH))
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data == content
    assert download.headers["ETag"] == f'"{document["sha256"]}"'


def test_an_amendment_is_a_new_version_and_the_first_stays_as_it_was(mou, client, signed):
    original, amendment = pdf_bytes("asli"), pdf_bytes("adendum")
    assert upload(client, signed, original, auth("operator")).status_code == 201
    second = upload(client, signed, amendment, auth("operator"))
    assert second.status_code == 201 and second.json["version"] == 2
    assert client.get(f"/agreements/{signed}/documents/1", headers=auth("operator")).data == original
    assert client.get(f"/agreements/{signed}/documents/latest", headers=auth("operator")).data == amendment
    listed = client.get(f"/agreements/{signed}/documents", headers=auth("mentor")).json["items"]
    assert [d["version"] for d in listed] == [1, 2]
    actions = [e["action"] for e in client.get(f"/agreements/{signed}/audit", headers=auth("operator")).json["items"]]
    assert actions[-2:] == ["document_uploaded", "document_amended"]


def test_uploading_the_same_pdf_again_makes_no_second_version(mou, client, signed):
    content = pdf_bytes()
    first = upload(client, signed, content, auth("operator"))
    again = upload(client, signed, content, auth("operator"))
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]
    with mou.session_factory() as session:
        assert len(session.scalars(select(Document)).all()) == 1


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04 a word document renamed to .pdf",
        b"%PDF-1.7\n1 0 obj << >> endobj\n",  # truncated: no trailer
        b"%PDF-9.9\n1 0 obj << >> endobj\nstartxref\n0\n%%EOF\n",
        b"",
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused(mou, client, signed, content):
    response = upload(client, signed, content, auth("operator"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["field"] == "file"
    assert not (mou.settings.var_dir / "mou" / "documents" / "sha256").exists()


def test_an_oversized_pdf_is_refused(mou, client, signed):
    mou.settings = replace(mou.settings, mou=replace(mou.settings.mou, document_max_bytes=4096))
    assert upload(client, signed, pdf_bytes(padding=3000), auth("operator")).status_code == 201
    response = upload(client, signed, pdf_bytes(padding=5000), auth("operator"))
    assert response.status_code == 413
    assert response.json["limit"] == 4096
    with mou.session_factory() as session:
        assert len(session.scalars(select(Document)).all()) == 1


def test_a_draft_has_no_signed_document_yet(mou, client):
    agreement_id = draft(mou)
    response = upload(client, agreement_id, pdf_bytes(), auth("operator"))
    assert response.status_code == 409
    assert response.json["current_state"] == "draft"


def test_a_region_uploads_only_for_itself_and_readers_may_not_upload(mou, client, signed):
    assert upload(client, signed, pdf_bytes(), auth("region", region="12.02")).status_code == 403
    assert upload(client, signed, pdf_bytes(), auth("mentor")).status_code == 403
    assert upload(client, signed, pdf_bytes(), auth("region", region=TAPANULI_TENGAH)).status_code == 201


def test_a_missing_version_is_not_found(client, signed):
    assert client.get(f"/agreements/{signed}/documents/latest", headers=auth("operator")).status_code == 404
    upload(client, signed, pdf_bytes(), auth("operator"))
    assert client.get(f"/agreements/{signed}/documents/2", headers=auth("operator")).status_code == 404


def test_a_stored_file_altered_on_disk_is_not_served(mou, client, signed):
    document = upload(client, signed, pdf_bytes(), auth("operator")).json
    path = mou.settings.var_dir / "mou" / "documents" / key_for(document["sha256"])
    path.write_bytes(pdf_bytes("tampered"))
    response = client.get(document["download"], headers=auth("operator"))
    assert response.status_code == 409


def test_a_text_field_posing_as_the_file_is_a_422_not_a_500(mou, client, signed):
    # What `curl -F file=hello` sends: a form field named "file" that is no upload.
    response = client.post(
        f"/agreements/{signed}/documents",
        data={"file": "hello"},
        headers=auth("operator"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["errors"][0]["field"] == "file"


def test_a_hostile_file_name_is_kept_only_as_a_safe_display_name(mou, client, signed):
    name = "../../../../tmp/" + "x" * 3000 + ".pdf"
    document = upload(client, signed, pdf_bytes(), auth("operator"), filename=name).json
    assert "/" not in document["filename"] and ".." not in document["filename"]
    assert len(document["filename"]) <= 200
    response = client.get(document["download"], headers=auth("operator"))
    assert "/" not in response.headers["Content-Disposition"].split("filename=")[1]
