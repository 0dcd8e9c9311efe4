"""A new bucket has what AWS gives every new bucket: SSE-S3, Block Public Access, ACLs disabled."""


def test_a_new_bucket_is_encrypted_private_and_owner_enforced(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-defaults")
    rule = s3.get_bucket_encryption(Bucket="lakelab-defaults")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert rule["BucketKeyEnabled"] is False
    block = s3.get_public_access_block(Bucket="lakelab-defaults")["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                     "RestrictPublicBuckets": True}
    ownership = s3.get_bucket_ownership_controls(Bucket="lakelab-defaults")["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    s3.put_object(Bucket="lakelab-defaults", Key="a.csv", Body=b"x")
    assert s3.head_object(Bucket="lakelab-defaults", Key="a.csv")["ServerSideEncryption"] == "AES256"


def test_deleting_the_encryption_configuration_puts_sse_s3_back(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-defaults")
    s3.put_bucket_encryption(Bucket="lakelab-defaults", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
    s3.delete_bucket_encryption(Bucket="lakelab-defaults")
    rule = s3.get_bucket_encryption(Bucket="lakelab-defaults")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_a_bucket_created_with_its_own_ownership_keeps_it(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-defaults", ObjectOwnership="ObjectWriter")
    ownership = s3.get_bucket_ownership_controls(Bucket="lakelab-defaults")["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "ObjectWriter"}]
