import Testing

@Test func placeholderHostCheckTests() {}
