"""Where uploaded files live: the filesystem (MEDIA_ROOT) or an S3-compatible object store.

A street that runs civicgrid on several machines cannot keep photos on one machine's disk, so
STORAGES["default"] may be django-storages' S3 backend (boto3) on AWS S3, MinIO, Ceph or a
cloud's OSS/COS in S3 mode: settings call `storages()` with the CIVICGRID_S3_* variables. The
filesystem stays the default.

Files are private either way. The bucket must not be public (no ACL is sent: buckets that
enforce the owner's ownership refuse ACL headers); nothing links to it. Every photo is served by
the app's own views, which check scope first and then stream the object from storage
(`storage.open`, never `.path` or MEDIA_ROOT) — rather than redirecting to a presigned URL:
- a presigned URL works for anyone who holds it until it expires: a link copied out of the page
  or left in a browser history outlives the scope check that issued it;
- the object store may stay on the street's private network, unreachable from residents'
  phones, and the Content-Security-Policy keeps img-src 'self' (no bucket origin to allow);
- the answer keeps our headers (sniffed Content-Type, nosniff, sandbox, private caching), and
  the filesystem and the object store are one code path with the same tests.
The cost, photos passing through a gunicorn worker, is small: uploads are re-encoded to at most
ATTACHMENT_MAX_SIDE pixels (a few hundred KB), thumbnails are a few KB. `storage.open` fetches
the object whole (in memory up to 2 MB, in a temporary file beyond) and FileResponse sends it
in blocks.

Importable from settings: no models, nothing that needs Django set up.
"""

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"
STATICFILES = "django.contrib.staticfiles.storage.StaticFilesStorage"


def s3_options(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    prefix: str = "",
) -> dict:
    """OPTIONS of django-storages' S3Storage for a private bucket.

    Without keys boto3 looks for credentials itself (its environment variables, an instance
    role). A custom endpoint (MinIO, Ceph …) gets path-style addressing, which needs no
    wildcard DNS for the bucket.
    """
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "location": prefix.strip("/"),
        "default_acl": None,
        # Never replace an object that is there: a second thumbnail writer gets its own name
        # and drops it (attachments.services), as on the filesystem.
        "file_overwrite": False,
        "querystring_auth": True,
        "signature_version": "s3v4",
        # storage.open fetches the object into a spooled temporary file: memory up to this size,
        # a temporary file beyond (django-storages' default, 0, keeps any size in memory).
        "max_memory_size": 2 * 1024 * 1024,
        "addressing_style": "path" if endpoint_url else None,
    }


def storages(*, bucket: str = "", **s3) -> dict:
    """STORAGES: the object store when a bucket is named, else files under MEDIA_ROOT."""
    default = (
        {"BACKEND": S3, "OPTIONS": s3_options(bucket=bucket, **s3)}
        if bucket
        else {"BACKEND": FILESYSTEM}
    )
    return {"default": default, "staticfiles": {"BACKEND": STATICFILES}}
