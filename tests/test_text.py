"""Staff markdown on resident pages: only images the app serves."""

import pytest

from consultations.text import has_remote_images, without_remote_images


@pytest.mark.parametrize(
    "markdown",
    [
        "![kart](https://evil.example/x.png)",
        "![kart](<//evil.example/x.png>)",
        "![a`](/app/static/x)`](https://evil.example/x.png)",  # a code span hides the bracket
        "![ref][r]\n\n[r]: https://evil.example/x.png",
        '<IMG\nsrc="https://evil.example/x.png">',
    ],
)
def test_remote_images_in_staff_markdown_can_never_render_as_images(markdown):
    cleaned = without_remote_images(markdown)
    assert "![" not in cleaned and "<img" not in cleaned.lower()
    assert has_remote_images(markdown)


def test_images_the_app_serves_are_kept():
    markdown = 'Se ![plankart [2026]](/app/static/plankart.png "Plankart") og ![x](app/static/y.png).'
    assert without_remote_images(markdown) == markdown and not has_remote_images(markdown)
