from riecycle import create_app

app = create_app()
