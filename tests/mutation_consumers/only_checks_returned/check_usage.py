from usage_client import UsageClient

DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"


def test_usage_of_the_documented_user(sivi_mock):
    assert UsageClient(sivi_mock.url, sivi_mock.admin_key).usage(DOCUMENTED_USER)
