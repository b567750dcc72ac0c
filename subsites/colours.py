"""Contrast of two sRGB colours, as WCAG 2.1 defines it (relative luminance, 1.4.3)."""


def relative_luminance(hex_colour):
    channels = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first, second):
    """From 1 (the same) to 21 (black on white); ValueError for anything but #rrggbb."""
    if not all(len(c) == 7 and c[0] == "#" for c in (first, second)):
        raise ValueError("Colours are #rrggbb.")
    lighter, darker = sorted(map(relative_luminance, (first, second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
