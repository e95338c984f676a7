"""Views: panes, panels and the text view with its span highlighter."""
