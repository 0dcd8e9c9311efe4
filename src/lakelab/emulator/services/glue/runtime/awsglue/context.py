from awsglue._unavailable import refuse

refuse("awsglue.context")
