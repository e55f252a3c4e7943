"""Pictures for the demo's diary entries, drawn with Pillow at seed time (nothing is
downloaded): a few simple scenes in soft gradients with a caption, each the same on every run.

They enter the site as an upload would, through ``sns.images.process``."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from sns import images

WIDTH, HEIGHT = 640, 480

RGB = tuple[int, int, int]

# Top and bottom colours of each scene's sky or background.
SKIES: dict[str, tuple[RGB, RGB]] = {
    "mountains": ((118, 170, 222), (250, 214, 165)),
    "autumn": ((250, 226, 180), (214, 120, 72)),
    "sea": ((253, 200, 140), (120, 150, 210)),
    "lanterns": ((22, 26, 58), (70, 44, 92)),
    "table": ((238, 222, 196), (200, 170, 130)),
    "city": ((200, 220, 240), (150, 170, 200)),
}


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _gradient(top: RGB, bottom: RGB) -> Image.Image:
    picture = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(picture)
    for y in range(HEIGHT):
        draw.line([(0, y), (WIDTH, y)], fill=_mix(top, bottom, y / (HEIGHT - 1)))
    return picture


def _mountains(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.ellipse((440, 60, 530, 150), fill=(255, 240, 200))
    for layer, colour in enumerate([(122, 140, 170), (82, 110, 120), (52, 84, 70)]):
        base = 250 + layer * 70
        points = [(0, HEIGHT), (0, base)]
        x = 0
        while x < WIDTH:
            x += rng.randint(80, 160)
            points.append((x, base - rng.randint(40, 150)))
            x += rng.randint(60, 120)
            points.append((x, base + rng.randint(0, 30)))
        points.append((WIDTH, HEIGHT))
        draw.polygon(points, fill=colour)


def _autumn(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for _leaf in range(70):
        x, y, r = rng.randint(-20, WIDTH), rng.randint(-20, HEIGHT), rng.randint(12, 34)
        colour = rng.choice([(196, 60, 40), (232, 140, 40), (240, 190, 60), (170, 40, 50)])
        draw.ellipse((x, y, x + r * 2, y + r), fill=colour)


def _sea(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.ellipse((250, 170, 390, 310), fill=(255, 236, 190))
    draw.rectangle((0, 250, WIDTH, HEIGHT), fill=(52, 96, 150))
    for y in range(262, HEIGHT, 14):
        x = rng.randint(0, 80)
        while x < WIDTH:
            length = rng.randint(30, 90)
            draw.line([(x, y), (x + length, y)], fill=(120, 160, 205), width=2)
            x += length + rng.randint(20, 60)


def _lanterns(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for glow in range(40):
        x, y, r = rng.randint(0, WIDTH), rng.randint(0, HEIGHT), rng.randint(6, 26)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_mix((90, 60, 110), (250, 200, 120),
                                                               glow / 40))
    for i in range(5):
        x = 70 + i * 125
        draw.line([(x + 25, 0), (x + 25, 90)], fill=(40, 30, 30), width=3)
        draw.rounded_rectangle((x, 90, x + 50, 170), radius=22, fill=(214, 60, 50))
        draw.rectangle((x + 8, 86, x + 42, 94), fill=(40, 30, 30))


def _table(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 300, WIDTH, HEIGHT), fill=(140, 96, 62))
    for x, y, r in [(170, 250, 110), (420, 230, 90), (560, 330, 60)]:
        draw.ellipse((x - r, y - r * 0.6, x + r, y + r * 0.6), fill=(250, 250, 246))
        inner = r * 0.6
        draw.ellipse((x - inner, y - inner * 0.6, x + inner, y + inner * 0.6),
                     fill=rng.choice([(220, 120, 90), (150, 180, 90), (240, 200, 110)]))
    draw.rectangle((300, 120, 340, 250), fill=(60, 110, 80))
    draw.rectangle((310, 90, 330, 120), fill=(60, 110, 80))


def _city(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    x = 0
    while x < WIDTH:
        width, top = rng.randint(50, 110), rng.randint(120, 300)
        draw.rectangle((x, top, x + width, HEIGHT), fill=rng.choice(
            [(90, 100, 120), (110, 120, 140), (70, 80, 100)]
        ))
        for wy in range(top + 14, HEIGHT - 20, 28):
            for wx in range(x + 10, x + width - 14, 22):
                if rng.random() < 0.6:
                    draw.rectangle((wx, wy, wx + 10, wy + 14), fill=(250, 226, 150))
        x += width + rng.randint(4, 16)


SCENES = {
    "mountains": _mountains, "autumn": _autumn, "sea": _sea, "lanterns": _lanterns,
    "table": _table, "city": _city,
}


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # a Pillow without FreeType: its small bitmap font
        return ImageFont.load_default()


def picture(scene: str, caption: str, *, seed: int) -> images.ProcessedImage:
    """A 640×480 ``scene`` with ``caption`` (ASCII: the default font has no kana) on a band
    at the bottom, processed like any member's upload."""
    rng = random.Random(seed)
    image = _gradient(*SKIES[scene])
    SCENES[scene](ImageDraw.Draw(image), rng)
    band = Image.new("RGBA", (WIDTH, 56), (0, 0, 0, 110))
    image.paste(band, (0, HEIGHT - 56), band)
    ImageDraw.Draw(image).text((20, HEIGHT - 44), caption, font=_font(28), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return images.process(SimpleUploadedFile(f"{scene}.jpg", buffer.getvalue()))


def _hex(colour: str) -> RGB:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def portrait(colour: str) -> images.ProcessedImage:
    """A profile photo: a soft silhouette on a gradient of ``colour`` ("#rrggbb")."""
    size = 400
    base = _hex(colour)
    image = _gradient(_mix(base, (255, 255, 255), 0.55), base).resize((size, size))
    draw = ImageDraw.Draw(image)
    figure = _mix(base, (255, 255, 255), 0.8)
    draw.ellipse((135, 80, 265, 210), fill=figure)
    draw.ellipse((70, 230, 330, 480), fill=figure)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return images.process(SimpleUploadedFile("portrait.png", buffer.getvalue()))
