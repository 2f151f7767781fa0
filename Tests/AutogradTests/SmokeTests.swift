import Testing
@testable import Autograd
@Test func smoke() throws { let x = try Tensor([1, 2]); #expect(x.count == 2) }
