-- Sieve of Eratosthenes: count the primes below 4,000,000, as sieve.iasm does.
local N = 4000000
local composite = {}
local count = 0
for i = 2, N - 1 do
  if not composite[i] then
    count = count + 1
    if i <= 2000 then
      for j = i * i, N - 1, i do composite[j] = true end
    end
  end
end
print(count)
