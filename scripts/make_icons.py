"""Draws the PWA icons (a white open door on the Motcua red) into pwa/icons/.

Shapes only, no fonts, so the output is the same on every machine. Run it again after
changing the design and commit the PNGs: `.venv/bin/python scripts/make_icons.py`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

RED = (179, 38, 30, 255)  # #b3261e, the manifest's theme colour
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "pwa" / "icons"
SUPERSAMPLE = 4  # draw large, then shrink: smooth edges without an anti-aliasing API


def _door(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float]) -> None:
    """A door with an arched top, slightly open, inside `box` (left, top, right, bottom)."""
    left, top, right, bottom = box
    width = right - left
    arch = width / 2
    # The frame: an arch on top of a rectangle, in white.
    draw.pieslice((left, top, right, top + width), 180, 360, fill=WHITE)
    draw.rectangle((left, top + arch, right, bottom), fill=WHITE)
    # The dark opening on the hinge side reads as "open": the one-stop door is open.
    inset = width * 0.12
    draw.pieslice((left + inset, top + inset, right - inset, top + width - inset), 180, 270,
                  fill=RED)
    draw.rectangle((left + inset, top + arch, left + width * 0.5, bottom), fill=RED)
    # The knob.
    knob = width * 0.07
    cx, cy = left + width * 0.68, top + arch + (bottom - top - arch) * 0.55
    draw.ellipse((cx - knob, cy - knob, cx + knob, cy + knob), fill=RED)
    # The threshold: a step wider than the door.
    step = width * 0.1
    draw.rectangle((left - step, bottom, right + step, bottom + step * 0.9), fill=WHITE)


def draw_icon(size: int, *, maskable: bool) -> Image.Image:
    """One icon. Maskable: full-bleed red, the door inside the central 80 % safe zone."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=RED)
        scale = 0.8 * 0.78  # inside the safe-zone circle (radius 40 %), with a margin
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.18, fill=RED)
        scale = 0.78
    door_w = big * scale * 0.5
    door_h = big * scale * 0.82
    left = (big - door_w) / 2
    top = (big - door_h) / 2 - big * scale * 0.04
    _door(draw, (left, top, left + door_w, top + door_h))
    small = image.resize((size, size), Image.Resampling.LANCZOS)
    if maskable:
        small = small.convert("RGB")  # launchers crop it to any shape: no alpha at all
    # Two colours and their blends fit a small palette: the favicon is on every page load.
    return small.quantize(colors=32, method=Image.Quantize.FASTOCTREE)


ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (size, maskable) in ICONS.items():
        draw_icon(size, maskable=maskable).save(OUT / name, optimize=True)
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
