from django.conf import settings


def site(request):
    return {"organisation": settings.GLOSSARY_ORGANISATION}
