// The consumer's client: the usage of one user, from the account analysis.
export async function usage(baseUrl, apiKey, userId) {
  const response = await fetch(`${baseUrl}/enterprise/account-analysis`, {
    method: "POST",
    headers: { "content-type": "application/json", "sivi-api-key": apiKey },
    body: JSON.stringify({ abstractUserId: userId }),
    signal: AbortSignal.timeout(2000),
  });
  if (!response.ok) {
    throw new Error(`the account analysis answered ${response.status}`);
  }
  const { body } = await response.json();
  return { designs: body.yearlyAnalysis.numberOfGeneratedDesignVariations, months: body.monthlyAnalysis.length };
}
