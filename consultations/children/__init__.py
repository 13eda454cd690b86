"""Children: school classes and Barnetråkk."""
