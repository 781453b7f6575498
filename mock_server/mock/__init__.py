"""The mock: the operation answered from the fixtures, in the order a request meets it (`endpoint`: `auth`,
`request_body`, `prefer`, `state`'s lookup, `replies`, `journal`), and around it the admin API (`admin`), the docs
(`docs`) and `--reload` (`reload`)."""
