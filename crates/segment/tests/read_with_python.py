"""Reads a Tracewell segment with the official `mcap` Python package.

Usage: read_with_python.py SEGMENT.mcap [PNG RGB]...

Prints one JSON object: message counts per topic, the segment metadata, and
checks that every message decodes as JSON (and every frame's `data` as a PNG
file). With PNG/RGB path pairs, also checks (when Pillow is installed) that
Pillow decodes each PNG to exactly the raw RGB bytes in the paired file.
"""

import base64
import json
import sys

from mcap.reader import make_reader


def main() -> int:
    path = sys.argv[1]
    counts = {}
    metadata = {}
    frames = 0
    with open(path, "rb") as f:
        reader = make_reader(f)
        for record in reader.iter_metadata():
            metadata[record.name] = dict(record.metadata)
        for schema, channel, message in reader.iter_messages(log_time_order=False):
            assert channel.message_encoding == "json", channel.message_encoding
            assert schema.encoding == "jsonschema", schema.encoding
            json.loads(schema.data)
            value = json.loads(message.data)
            assert value["t_ns"] == message.publish_time, (value, message.publish_time)
            if channel.topic == "/screen/frame":
                png = base64.b64decode(value["data"])
                assert png[:8] == b"\x89PNG\r\n\x1a\n"
                assert value["format"] == "png"
                stamp = value["timestamp"]["sec"] * 1_000_000_000 + value["timestamp"]["nsec"]
                assert stamp == message.log_time, (stamp, message.log_time)
                frames += 1
            counts[channel.topic] = counts.get(channel.topic, 0) + 1

    pil = None
    pairs = sys.argv[2:]
    if pairs:
        try:
            from PIL import Image

            pil = True
        except ImportError:
            pil = False
        if pil:
            for png_path, rgb_path in zip(pairs[::2], pairs[1::2]):
                with Image.open(png_path) as im:
                    assert im.mode == "RGB", im.mode
                    got = im.tobytes()
                with open(rgb_path, "rb") as f:
                    want = f.read()
                assert got == want, f"{png_path}: Pillow decodes different pixels"

    print(json.dumps({"counts": counts, "metadata": metadata, "frames": frames, "pil_checked": pil}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
