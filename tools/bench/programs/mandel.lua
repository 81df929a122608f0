-- Mandelbrot set, the same computation as mandel.iasm: escape iterations (at most 255 each) of a
-- 640 x 480 grid over [-2, 1) x [-1.2, 1.2); prints the total number of iterations.
local width, height, limit = 640, 480, 255
local dx = 3 / 640
local dy = (12 / 5) / 480
local x0 = 0 - 2
local y0 = 0 - 6 / 5
local total = 0
local ci = y0 + 0
for _ = 1, height do
  local cr = x0 + 0
  for _ = 1, width do
    local zr, zi = 0.0, 0.0
    local n = 0
    while true do
      local zr2 = zr * zr
      local zi2 = zi * zi
      if zr2 + zi2 > 4 then break end
      zi = 2 * zr * zi + ci
      zr = zr2 - zi2 + cr
      n = n + 1
      if not (n < limit) then break end
    end
    total = total + n
    cr = cr + dx
  end
  ci = ci + dy
end
print(total)
