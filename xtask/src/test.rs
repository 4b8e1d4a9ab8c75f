pub fn run(_: &[String]) -> crate::util::Result { Ok(()) }
