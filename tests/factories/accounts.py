import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can sign in with the password ``password``."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def email_verified(obj, create, extracted, **kwargs):
        """``UserFactory(email_verified=True)``: the address is verified, as after sign-up."""
        if create and extracted:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
