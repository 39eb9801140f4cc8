import Testing

@Test func placeholderVMCtlKitTests() {}
