import Testing

@Test func placeholderLibvirtXMLTests() {}
