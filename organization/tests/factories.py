import factory

from organization.models import (
    Department,
    HelpUnit,
    PolicySettings,
    Role,
    Town,
    User,
    Village,
    VillagerGroup,
)

PASSWORD = "Suixi@2021"


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"340621{900 + n:03d}")
    name = factory.Sequence(lambda n: f"测试镇{n}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    town = factory.SubFactory(TownFactory)
    code = factory.Sequence(lambda n: f"340621{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"测试村{n}")
    has_poverty_task = True


class VillagerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillagerGroup

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"第{n}村民小组")


class HelpUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelpUnit

    name = factory.Sequence(lambda n: f"帮扶单位{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "王"
    first_name = factory.Sequence(lambda n: f"测{n}")
    role = Role.COUNTY_BUREAU
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


def department(code: str = "yibao") -> Department:
    return Department.objects.get(code=code)


def policy(**values) -> PolicySettings:
    import datetime

    defaults = {"year": datetime.date.today().year, **values}
    obj, _ = PolicySettings.objects.update_or_create(year=defaults.pop("year"), defaults=defaults)
    return obj
