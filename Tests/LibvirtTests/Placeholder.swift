import Testing

@Test func placeholderLibvirtTests() {}
