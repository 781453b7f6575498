from usage_client import Usage, UsageClient

DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"


def test_usage_of_the_documented_user(sivi_mock):
    usage = UsageClient(sivi_mock.url, sivi_mock.admin_key).usage(DOCUMENTED_USER)
    assert usage == Usage(
        designs=254,
        media_bytes=25 * 1024**2,
        months=1,
        designs_per_month=254.0,
        credits_left=80,
        last_accessed=1325312222,
    )
