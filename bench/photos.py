"""Benchmark: the cost of cleaning one large photo upload, bounded by what is kept.

    make bench-photos
    .venv/bin/python bench/photos.py --side 7000 --repeat 3

A 7000×7000 JPEG (what a hostile client sends) goes through civicgrid's `clean_image`, which asks
the JPEG decoder for a reduced-scale decode (draft mode) down to ATTACHMENT_MAX_SIDE before it
re-encodes. The named alternative, in the same run, is the same cleaning with a full-size decode
(draft disabled): what the code did before. A JPEG at ATTACHMENT_MAX_SIDE² (the largest kept) is timed too, as
the yardstick of "what an honest upload costs". No database. The last lines are
`photo_ratio_full_vs_draft=<full-decode seconds ÷ draft seconds>` and
`photo_ratio_big_vs_kept=<big upload seconds ÷ kept-size upload seconds>`.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")


def jpeg(side: int) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(side)
    # Smooth noise: compresses like a photo, decodes like one.
    small = rng.integers(0, 256, size=(side // 16 + 1, side // 16 + 1, 3), dtype=np.uint8)
    image = Image.fromarray(small, "RGB").resize((side, side), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=7000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from PIL import JpegImagePlugin

    from civicgrid.attachments.services import clean_image, max_side

    big, kept = jpeg(args.side), jpeg(max_side())
    print(
        f"inputs: {args.side}² JPEG {len(big) / 1e6:.1f} MB, {max_side()}² JPEG {len(kept) / 1e6:.1f} MB"
    )
    draft = timed(lambda: clean_image(big), args.repeat)
    honest = timed(lambda: clean_image(kept), args.repeat)
    real_draft = JpegImagePlugin.JpegImageFile.draft
    JpegImagePlugin.JpegImageFile.draft = lambda self, mode, size, *a, **k: None
    try:
        full = timed(lambda: clean_image(big), args.repeat)
    finally:
        JpegImagePlugin.JpegImageFile.draft = real_draft
    for name, values in [
        (f"{args.side}² reduced-scale decode (civicgrid)", draft),
        (f"{args.side}² full decode (alternative)", full),
        (f"{max_side()}² upload (yardstick)", honest),
    ]:
        print(f"{name}: median {statistics.median(values):.3f} s (min {min(values):.3f})")
    print(f"photo_ratio_full_vs_draft={statistics.median(full) / statistics.median(draft):.2f}")
    print(f"photo_ratio_big_vs_kept={statistics.median(draft) / statistics.median(honest):.2f}")


if __name__ == "__main__":
    main()
