from lakelab.emulator.common import s3_objects


def test_deleted_keys_of_a_versioned_bucket_are_not_listed(client, emulator):
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-store")
    s3.put_bucket_versioning(Bucket="lakelab-store", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="lakelab-store", Key="t/a.csv", Body=b"a\n1\n")
    s3.put_object(Bucket="lakelab-store", Key="t/gone.csv", Body=b"a\n2\n")
    s3.delete_object(Bucket="lakelab-store", Key="t/gone.csv")  # leaves a delete marker as current version
    assert list(s3_objects.iter_objects("lakelab-store", "t/")) == [("t/a.csv", 4)]
    assert s3_objects.read_bytes("lakelab-store", "t/a.csv") == b"a\n1\n"
