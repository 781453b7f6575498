"""`sivi-mock --proxy URL`: the operation relayed to the real API, every answer judged against the contract.

`endpoint` decides local or upstream and relays; `client` is the one HTTP client to the upstream; `relayed_headers`
says which headers cross, each way; `verdicts` judges each answer; `answer_marks` says on each who gave it;
`relayed` is what the journal keeps of it; `recorder` keeps conforming answers as fixtures.
"""
