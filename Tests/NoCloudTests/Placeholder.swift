import Testing

@Test func placeholderNoCloud() {}
