"""Image files for upload tests: small valid pictures, pictures with metadata (EXIF GPS, PNG
text), incompressible noise, a decompression bomb's header, and files that are not pictures."""

import io
import os
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

# Where the GPS test photo claims it was taken (a resident's home, say): 31°6'30"N 121°30'18"E.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 6.0, 30.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 30.0, 18.0),
}


def jpeg_bytes(size=(64, 48), color=(180, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(size=(40, 30), color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def webp_bytes(size=(30, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, "WEBP")
    return buffer.getvalue()


def noise_image(size=(64, 48), mode="RGB") -> Image.Image:
    """Random pixels do not compress: handy for a file of a predictable, large size."""
    channels = len(mode)
    return Image.frombytes(mode, size, os.urandom(size[0] * size[1] * channels))


def jpeg_with_gps(size=(64, 48), orientation=None) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SomePhone"
    exif[ExifTags.Base.GPSInfo] = GPS
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(
        buffer, "JPEG", exif=exif, comment=b"taken at home, 3F"
    )
    return buffer.getvalue()


def png_with_text(size=(40, 30)) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "31.108N 121.505E")
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 200, 128)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb's calling card."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def photo(data=None, name="louDao.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    """A JPEG upload (a small valid picture unless `data` is given)."""
    return upload(data if data is not None else jpeg_bytes(), name, content_type)


def png(name="photo.png", size=(40, 30), color=(200, 80, 40)) -> SimpleUploadedFile:
    """A PNG upload."""
    return upload(png_bytes(size, color), name, "image/png")


def not_an_image(name="notes.jpg") -> SimpleUploadedFile:
    return upload(b"this is not a picture", name, "image/jpeg")
