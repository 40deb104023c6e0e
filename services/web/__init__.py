"""The web app: one page that calls the four APIs from a browser, every exchange on screen."""
